/**
 * Cloud Elements / SAP Open Connectors emulator: the `/elements/api-v2` instance API and element metadata for a
 * catalogue of elements (`freshdeskv2` and seven others), a control API for tests (`/__emulator/*`) and its typed
 * client. See docs/emulator.md.
 */
export {
    type AccountOrganization,
    type AccountsConfig,
    AccountsError,
    type AccountUser,
    type CredentialSet,
    devAccounts,
    type FreshdeskAccount,
    loadAccountsFile,
    parseAccounts,
} from "./accounts";
export { type AuthorizationParts, parseAuthorization } from "./auth";
export { EmulatorControl, EmulatorControlError, type EmulatorControlOptions } from "./control-client";
export { controlApiAccess } from "./control-server";
export { FaultValidationError, validateFaultSpec } from "./faults";
export { fingerprint } from "./fingerprint";
export { isLoopbackHost } from "./loopback";
export { type EmulatorOptions, type RunningEmulator, startEmulator } from "./server";
export { minInstanceId, StateFileError } from "./store";
export type {
    ActiveFault,
    CommitThenDropFault,
    DelayFault,
    EmulatedInstance,
    EmulatorHealth,
    EmulatorSettings,
    FaultLogEntry,
    FaultMatch,
    FaultSpec,
    LatencyFault,
    RateLimitFault,
    RequestLogEntry,
    ResetFault,
    ResetOptions,
    RespondFault,
    StatusFault,
} from "./types";
