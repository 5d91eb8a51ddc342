/* Drives a model built with neuroc build --shared through its C API:
 * build, run, read and write state, spike counts, checkpoint and restore,
 * errors. Prints what it sees for FileCheck. */
#include "libcuba.h"

#include <stdio.h>
#include <stdlib.h>

int main(void) {
  neuro_sim *sim = neuro_create(1, 1);
  if (neuro_run(sim, 0.1) != 0) {
    printf("run failed: %s\n", neuro_error(sim));
    return 1;
  }
  printf("t = %g s\n", neuro_time(sim));
  int64_t n = neuro_count(sim, "E.v");
  double *v = malloc(sizeof(double) * (size_t)n);
  neuro_get(sim, "E.v", v, n);
  double mean = 0;
  for (int64_t i = 0; i < n; ++i)
    mean += v[i] / (double)n;
  printf("E.v: %lld values, mean %.1f mV\n", (long long)n, mean * 1e3);
  printf("spikes E %lld I %lld\n", (long long)neuro_spike_count(sim, "E"),
         (long long)neuro_spike_count(sim, "I"));

  /* Checkpoint, run on, restore, run the same again: the same spikes. */
  neuro_checkpoint(sim, "cuba.ckp");
  neuro_run(sim, 0.05);
  int64_t once = neuro_spike_count(sim, "E");
  neuro_restore(sim, "cuba.ckp");
  neuro_run(sim, 0.05);
  printf("after restore: %s\n",
         neuro_spike_count(sim, "E") == once ? "same spikes" : "DIFFERENT");

  /* Silence E by holding v at the reset value: far fewer spikes. */
  int64_t before = neuro_spike_count(sim, "E");
  for (int64_t i = 0; i < n; ++i)
    v[i] = -0.080;
  neuro_set(sim, "E.v", v, n);
  neuro_run(sim, 0.001);
  printf("spikes in 1 ms after setting E.v to -80 mV: %lld\n",
         (long long)(neuro_spike_count(sim, "E") - before));

  if (neuro_get(sim, "E.tau_m", v, n) != 0)
    printf("error: %s\n", neuro_error(sim));
  if (neuro_get(sim, "E.v", v, 3) != 0)
    printf("error: %s\n", neuro_error(sim));
  if (neuro_get(sim, "E.v", NULL, n) != 0)
    printf("error: %s\n", neuro_error(sim));
  if (neuro_set(sim, "E.v", NULL, n) != 0)
    printf("error: %s\n", neuro_error(sim));
  free(v);
  neuro_destroy(sim);
  return 0;
}
