//===- NpyHeader.cpp - Parsing the header of .npy files -------------------===//
//
// The header dict is a Python literal; it is parsed as one (strings, True,
// False, whole numbers, tuples and lists, nested at most a few levels), so
// that spacing, key order and trailing commas do not matter, and anything
// that is not what NumPy writes is refused with the reason.
//
//===----------------------------------------------------------------------===//

#include "neuro/Runtime/Npy.h"
#include "neuro/Runtime/Quote.h"

#include <cctype>
#include <cstring>

using namespace neuro::rt;

namespace {

/// A value of the header's Python literal.
struct Literal {
  enum Kind { String, Bool, Int, Tuple, List } kind = Int;
  std::string text; ///< String: the characters; Int: the digits
  bool flag = false;
  uint64_t number = 0;
  std::vector<Literal> items;
};

/// Nesting deeper than this is not a dtype or a shape NumPy writes.
constexpr int kMaxDepth = 8;

class LiteralParser {
public:
  explicit LiteralParser(std::string_view s) : s(s) {}

  bool dict(std::vector<std::pair<std::string, Literal>> &out,
            std::string &why) {
    skip();
    if (!eat('{'))
      return fail("the header is not a dict", why);
    for (;;) {
      skip();
      if (eat('}'))
        break;
      Literal key, value;
      if (!parse(key, 1, why))
        return false;
      if (key.kind != Literal::String)
        return fail("a key of the header dict is not a string", why);
      skip();
      if (!eat(':'))
        return fail("no ':' after " + quoted(key.text) + " in the header", why);
      if (!parse(value, 1, why))
        return false;
      out.push_back({key.text, std::move(value)});
      skip();
      if (eat('}'))
        break;
      if (!eat(','))
        return fail("expected ',' or '}' after " + quoted(key.text), why);
    }
    skip();
    if (pos != s.size())
      return fail("text after the header dict", why);
    return true;
  }

private:
  bool parse(Literal &v, int depth, std::string &why) {
    if (depth > kMaxDepth)
      return fail("the header nests too deeply", why);
    skip();
    if (pos >= s.size())
      return fail("the header ends early", why);
    char c = s[pos];
    if (c == '\'' || c == '"') {
      size_t end = s.find(c, pos + 1);
      if (end == std::string_view::npos)
        return fail("unterminated string in the header", why);
      v.kind = Literal::String;
      v.text = std::string(s.substr(pos + 1, end - pos - 1));
      pos = end + 1;
      return true;
    }
    if (c == '(' || c == '[') {
      char close = c == '(' ? ')' : ']';
      v.kind = c == '(' ? Literal::Tuple : Literal::List;
      ++pos;
      for (;;) {
        skip();
        if (eat(close))
          return true;
        v.items.emplace_back();
        if (!parse(v.items.back(), depth + 1, why))
          return false;
        skip();
        if (eat(close))
          return true;
        if (!eat(','))
          return fail(std::string("expected ',' or '") + close +
                          "' in the header",
                      why);
      }
    }
    // A word: True, False or a whole number.
    size_t begin = pos;
    while (pos < s.size() && s[pos] &&
           (std::isalnum((unsigned char)s[pos]) || std::strchr("._+-", s[pos])))
      ++pos;
    std::string word(s.substr(begin, pos - begin));
    if (word == "True" || word == "False") {
      v.kind = Literal::Bool;
      v.flag = word == "True";
      return true;
    }
    if (word.empty())
      return fail(std::string("unexpected '") + c + "' in the header", why);
    v.kind = Literal::Int;
    v.text = word;
    for (char d : word) {
      if (d < '0' || d > '9')
        return fail(quoted(word) + " is not a whole number >= 0", why);
      if (v.number > (UINT64_MAX - 9) / 10)
        return fail(quoted(word) + " is too large", why);
      v.number = v.number * 10 + uint64_t(d - '0');
    }
    return true;
  }

  void skip() {
    while (pos < s.size() && s[pos] && std::strchr(" \t\r\n", s[pos]))
      ++pos;
  }
  bool eat(char c) {
    if (pos < s.size() && s[pos] == c) {
      ++pos;
      return true;
    }
    return false;
  }
  static bool fail(const std::string &message, std::string &why) {
    why = message;
    return false;
  }

  std::string_view s;
  size_t pos = 0;
};

std::string shapeText(const Literal &tuple) {
  std::string out = "(";
  for (size_t k = 0; k < tuple.items.size(); ++k)
    out += (k ? ", " : "") + tuple.items[k].text;
  return shortened(out + (tuple.items.size() == 1 ? ",)" : ")"));
}

/// A field of a structured dtype: ('name', 'type').
bool structuredField(const Literal &item, NpyHeader::Field &field,
                     std::string &why) {
  if (item.kind != Literal::Tuple || item.items.size() < 2 ||
      item.items[0].kind != Literal::String) {
    why = "a field of the structured dtype is not ('name', 'type')";
    return false;
  }
  field.name = item.items[0].text;
  const Literal &type = item.items[1];
  if (type.kind != Literal::String) {
    why = "field " + quoted(field.name) +
          " is itself structured; Neuro reads fields of one number each";
    return false;
  }
  if (item.items.size() > 2) {
    why = "field " + quoted(field.name) + " is a subarray" +
          (item.items[2].kind == Literal::Tuple
               ? " of shape " + shapeText(item.items[2])
               : std::string()) +
          "; Neuro reads fields of one number each";
    return false;
  }
  field.type = type.text;
  return true;
}

} // namespace

uint64_t neuro::rt::npyHeaderEnd(std::string_view bytes) {
  if (bytes.size() < 10 || bytes.substr(0, 6) != "\x93NUMPY")
    return 0;
  auto u8 = [&](size_t i) { return uint64_t(uint8_t(bytes[i])); };
  if (bytes[6] == 1)
    return 10 + (u8(8) | u8(9) << 8);
  if ((bytes[6] == 2 || bytes[6] == 3) && bytes.size() >= 12)
    return 12 + (u8(8) | u8(9) << 8 | u8(10) << 16 | u8(11) << 24);
  return 0;
}

bool neuro::rt::parseNpyHeader(std::string_view bytes, NpyHeader &header,
                               std::string &why) {
  header = NpyHeader();
  if (bytes.size() < 10 || bytes.substr(0, 6) != "\x93NUMPY") {
    why = "no .npy magic";
    return false;
  }
  if (bytes[6] != 1 && bytes[6] != 2 && bytes[6] != 3) {
    why = "unknown version " + std::to_string(int(uint8_t(bytes[6])));
    return false;
  }
  uint64_t end = npyHeaderEnd(bytes);
  size_t start = bytes[6] == 1 ? 10 : 12;
  if (end == 0 || end > bytes.size()) {
    why = "truncated header";
    return false;
  }
  uint64_t length = end - start;
  header.dataOffset = size_t(end);
  std::vector<std::pair<std::string, Literal>> dict;
  if (!LiteralParser(bytes.substr(start, size_t(length))).dict(dict, why))
    return false;
  const Literal *descr = nullptr, *fortran = nullptr, *shape = nullptr;
  for (const auto &[key, value] : dict) {
    if (key == "descr")
      descr = &value;
    else if (key == "fortran_order")
      fortran = &value;
    else if (key == "shape")
      shape = &value;
  }
  if (!descr || !fortran || !shape) {
    why = "the header lacks 'descr', 'fortran_order' or 'shape'";
    return false;
  }
  if (fortran->kind != Literal::Bool) {
    why = "'fortran_order' is not True or False";
    return false;
  }
  header.fortranOrder = fortran->flag;
  if (shape->kind != Literal::Tuple) {
    why = "'shape' is not a tuple";
    return false;
  }
  for (const Literal &d : shape->items) {
    if (d.kind != Literal::Int) {
      why = "the shape " + shapeText(*shape) +
            " holds something other "
            "than whole numbers";
      return false;
    }
    header.shape.push_back(d.number);
  }
  if (descr->kind == Literal::String) {
    header.fields.push_back({"", descr->text});
    return true;
  }
  if (descr->kind != Literal::List) {
    why = "'descr' is neither a type nor a list of fields";
    return false;
  }
  if (descr->items.empty()) {
    why = "the structured dtype has no fields";
    return false;
  }
  header.structured = true;
  for (const Literal &item : descr->items) {
    NpyHeader::Field field;
    if (!structuredField(item, field, why))
      return false;
    header.fields.push_back(std::move(field));
  }
  return true;
}
