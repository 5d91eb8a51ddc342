/* A library built with --tunable E.tau_m: setting the parameter through the
 * C API must change the run as --set does (the exact propagators follow).
 * Prints E's spikes after 0.1 s with tau_m left alone, with 1 ms, and after
 * setting 0, which is refused and leaves tau_m as it was. */
#include "libcuba.h"

#include <stdio.h>
#include <stdlib.h>

static long long spikesWithTau(double tau) {
  neuro_sim *sim = neuro_create(1, 1);
  if (tau >= 0) {
    int64_t n = neuro_count(sim, "E.tau_m");
    double *values = malloc(sizeof(double) * (size_t)n);
    for (int64_t i = 0; i < n; ++i)
      values[i] = tau;
    if (neuro_set(sim, "E.tau_m", values, n) != 0)
      printf("error: %s\n", neuro_error(sim));
    free(values);
  }
  if (neuro_run(sim, 0.1) != 0)
    printf("error: %s\n", neuro_error(sim));
  long long spikes = (long long)neuro_spike_count(sim, "E");
  neuro_destroy(sim);
  return spikes;
}

int main(void) {
  printf("C API: E spikes %lld with tau_m unchanged\n", spikesWithTau(-1));
  printf("C API: E spikes %lld with tau_m = 1 ms\n", spikesWithTau(1e-3));
  printf("C API: E spikes %lld after tau_m = 0\n", spikesWithTau(0));
  return 0;
}
