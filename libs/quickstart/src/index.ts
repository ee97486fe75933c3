export { type PlatformAddresses, PlatformClients, type PlatformCredentials, ServiceClient } from './platform-clients';
export { FlightsQuickstart, type FlightsQuickstartOptions, type QuickstartOutcome, type QuickstartReporter } from './flights-quickstart';
export { callExamples, type CallExamples, ensureApiKey, EXAMPLE_FLIGHT, type ExampleFlight, predictOverRest, type QuickstartKey, type RestPrediction } from './first-call';
