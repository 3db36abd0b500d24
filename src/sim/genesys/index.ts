// The simulated Genesys Cloud org: server, scripts, player, scenario catalogue and faults.
export { GenesysSim, type GenesysSimOptions, type SimCounters } from './server.js';
export { SimOrg, type SimQueue, type SimUser } from './org.js';
export type { SimWrapup, WrapupMedia } from './participant-data.js';
export { rebase, scriptFromJsonl, scriptLengthMs, type SimMessage, type SimScript, type SimStep } from './script.js';
export { ScriptPlayer, type PlayedStep, type PlayOptions } from './player.js';
export { buildScenario, DEMO_QUEUES, DEMO_USERS, SCENARIO_KINDS, type ScenarioKind } from './scenarios.js';
export { FAULTS, injectFault, isFault, type FaultName } from './faults.js';
export { StepTriggers, stepsBefore } from './step-triggers.js';
