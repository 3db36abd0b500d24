// How many cases a property test tries. A mutation run (vitest.mutate.config.ts) scales them down with
// PROPERTY_RUNS_SCALE: every surviving mutant runs every test that covers it, and a tenth of the cases still
// finds what the sequencer's invariants catch; `npm test` runs them in full.
export function runs(n: number): number {
  const scale = Number(process.env.PROPERTY_RUNS_SCALE ?? '1');
  return Math.max(10, Math.round(n * (Number.isFinite(scale) && scale > 0 ? scale : 1)));
}
