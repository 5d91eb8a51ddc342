//===- Neuro.td - Umbrella for the neuro dialect ----------*- tablegen -*-===//

#ifndef NEURO_TD
#define NEURO_TD

include "neuro/IR/NeuroDialect.td"
include "neuro/IR/NeuroOps.td"

#endif // NEURO_TD
