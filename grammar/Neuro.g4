// Neuro.g4 - the grammar of the Neuro modelling language.
//
// Only frontend/ASTBuilder.cpp sees the parse tree this produces; everything
// after it works on Neuro's own AST. Newlines are whitespace: statements and
// declarations are delimited by their leading keyword (or an optional ';').

grammar Neuro;

file : importDecl* decl* EOF ;

importDecl : 'import' qualifiedName ';'? ;
qualifiedName : ID ('.' ID)* ;

decl : neuronDecl | synapseDecl | networkDecl | functionDecl | ruleDecl ;

// ---- functions ------------------------------------------------------------
// `function sigmoid(x: mV, k: mV): 1 = 1 / (1 + exp(-x / k))`: a pure
// function of its arguments, usable in every expression.
functionDecl
  : 'function' name=ID '(' (functionParam (',' functionParam)*)? ')'
    (':' result=unit)? '=' body=expr ;
functionParam : name=ID ':' unit ;

// ---- neurons --------------------------------------------------------------
neuronDecl : annotation* 'neuron' name=ID '{' neuronItem* '}' ;
// `@method(rk4)`: chooses the integration method of the model (of a
// synapse: of its clock-driven equations).
annotation : '@' name=ID '(' value=ID ')' ;
neuronItem
  : paramDecl
  | stateDecl
  | inputDecl
  | letDecl
  | odeDecl
  | spikeDecl
  | ';'
  ;

// `param tau[3]: ms = [1 ms, 10 ms, 100 ms]`, `state m[3] = 0`: fixed-size
// vectors, expanded into one variable per element (frontend/lib/Vectors.cpp).
paramDecl : 'param' name=ID ('[' size=NUMBER ']')? (':' unit)? '=' expr ;
stateDecl : 'state' name=ID ('[' size=NUMBER ']')? (':' unit)? '=' expr ;
inputDecl : 'input' name=ID ':' unit ;
// A named subexpression, substituted where it is used.
letDecl : 'let' name=ID (':' unit)? '=' expr ;
// `dv/dt = ...`: the derivative is lexed as ID '/' ID and checked by the AST
// builder, so that `delay/dt` stays an ordinary division elsewhere.
odeDecl : var=ID '/' dt=ID '=' expr (unless='unless' 'refractory')? ;
spikeDecl : 'spike' 'when' expr block? ('refractory' period=expr)? ;

// ---- synapses -------------------------------------------------------------
synapseDecl : annotation* 'synapse' name=ID '{' synapseItem* '}' ;
synapseItem
  : paramDecl
  | letDecl
  | weightDecl
  | stateDecl        // per synapse (e.g. an STDP trace)
  | postStateDecl
  | postVarDecl
  | preVarDecl
  | modulatorDecl
  | odeDecl
  | onDecl
  | drivesDecl
  | ';'
  ;
weightDecl : 'weight' name=ID ':' unit ('=' expr)? ;
postStateDecl : 'post' 'state' name=ID (':' unit)? '=' expr ;
// `post v: mV`: the target neuron's state v, read or written by the synapse.
postVarDecl : 'post' name=ID ':' unit ;
// `pre v: mV`: the source neuron's state v, read as `v_pre`.
preVarDecl : 'pre' name=ID ':' unit ;
// `modulator d: 1`: a value broadcast to every synapse, bound at `connect`
// to a state of a population (`d = DA.d`).
modulatorDecl : 'modulator' name=ID ':' unit ;
// `on pre` (a source spike arrives) or `on post` (the target spiked).
onDecl : 'on' event=(ID | 'pre' | 'post') block ;
drivesDecl : 'drives' target=ID '=' expr ;

block : '{' (stmt | ';')* '}' ;
stmt : target=ID op=('=' | '+=' | '-=' | '*=' | '/=') expr ;

// `plasticity PairRule { ... }`: a learning rule, the items of a synapse
// without drives, attached to a synapse model at connect
// (`with ExpConductance + PairRule`). `plasticity` is not a keyword
// (`import std.plasticity.X`): the AST builder checks the word.
ruleDecl : kw=ID name=ID '{' synapseItem* '}' ;

// ---- networks -------------------------------------------------------------
networkDecl : 'network' name=ID '{' networkItem* '}' ;
networkItem
  : name=ID '=' size=expr 'of' model=ID args?
    sign=('excitatory' | 'inhibitory')? ('named' cells=STRING)?  # population
  | name=ID '=' expr                                            # setting
  // `param g = 5`: a constant of the network, usable in its expressions.
  | paramDecl                                                   # netParam
  | 'connect' src=recordTarget '->' recordTarget (',' recordTarget)*
    'with' model=ID ('+' rules+=ID)* args? connOption*
    ('as' alias=ID)?                                            # connect
  | 'record' what+=ID (',' what+=ID)* 'of' recordTarget (',' recordTarget)*
    ('every' every=expr)?                                       # record
  | 'run' expr                                                  # run
  // `ablate Worm[AVM]`: the neurons lose every synapse to and from them.
  | 'ablate' recordTarget (',' recordTarget)*                   # ablate
  // `plasticity off S, T` / `plasticity on S`: weights of the named
  // projections stop (resume) changing from here, between runs.
  // `plasticity` is not a keyword (`import std.plasticity.X`): the AST
  // builder checks the word.
  | kw=ID state=('on' | ID) names+=ID (',' names+=ID)*          # plasticity
  | ';'                                                         # emptyItem
  ;
// `E` or the slice `E[0:10]` (neurons 0 to 9), in connect and record.
// `Worm[AVAL]`: the neuron named AVAL of a population declared `named`.
recordTarget
  : pop=ID ('[' begin=NUMBER ':' end=NUMBER ']' | '[' cell=ID ']')? ;
args : '(' (arg (',' arg)*)? ')' ;
arg : name=ID '=' expr ;
// `p = 0.1`, `in_degree = 100`, `delay = 1 ms`, or a flag. Flags are
// keywords, so that `p = 0.1 no_autapses` is not read as a unit suffix.
connOption
  : name=ID '=' expr
  | flag=('one_to_one' | 'no_autapses' | 'procedural')
  | 'from' path=STRING   // synapses listed in a CSV or .npy file
  | 'where' cond=expr    // only pairs (i, j) for which cond holds
  ;

// ---- units and expressions ------------------------------------------------
unit : unitTerm (op+=('*' | '/') unitTerm)* ;
unitTerm
  : ID ('^' exponent)?
  | NUMBER               // only `1`, for dimensionless
  | '(' unit ')'
  ;
exponent : '-'? NUMBER ;

expr
  : '(' expr ')'                                        # parenExpr
  | callee=ID '(' (expr (',' expr)*)? ')'               # callExpr
  | NUMBER unitSuffix=ID?                               # numberExpr
  | pop=ID '.' var=ID                                   # memberExpr
  | vec=ID '[' index=expr ']'                           # indexExpr
  | ID                                                  # refExpr
  | <assoc=right> expr '^' expr                         # powExpr
  | op=('-' | '+' | '!' | 'not') expr                   # unaryExpr
  | expr op=('*' | '/' | '%') expr                      # mulExpr
  | expr op=('+' | '-') expr                            # addExpr
  | expr op=('<' | '<=' | '>' | '>=' | '==' | '!=') expr # cmpExpr
  | expr op=('and' | '&&') expr                         # andExpr
  | expr op=('or' | '||') expr                          # orExpr
  | 'if' expr 'then' expr 'else' expr                   # condExpr
  | '[' (expr (',' expr)*)? ']'                         # listExpr
  | STRING                                              # stringExpr
  ;

NUMBER : DIGITS ('.' DIGITS?)? EXPONENT? | '.' DIGITS EXPONENT? ;
fragment DIGITS : [0-9]+ ;
fragment EXPONENT : [eE] [+-]? DIGITS ;
ID : [a-zA-Z_] [a-zA-Z_0-9]* ;
// A file name: `"data/edges.csv"`, relative to the .neuro file.
STRING : '"' ~["\r\n]* '"' ;

LINE_COMMENT : '//' ~[\r\n]* -> skip ;
BLOCK_COMMENT : '/*' .*? '*/' -> skip ;
WS : [ \t\r\n]+ -> skip ;
// Anything else becomes a token the parser rejects with a position, so the
// lexer itself never fails.
ERROR_CHAR : . ;
