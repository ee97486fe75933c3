/** The five Strata services, each with a Helm chart of the same name under deploy/helm/. */
export const SERVICES = ['gateway', 'feature-service', 'training-runner', 'registry-service', 'inference-service'] as const;

/** One of {@link SERVICES}. */
export type ServiceName = (typeof SERVICES)[number];

/** A gRPC call from one service to another, written "caller → callee". */
export type Arrow = `${ServiceName} → ${ServiceName}`;

/** Every gRPC call between the services (docs/architecture), and nothing else. */
export const ARCHITECTURE_ARROWS: readonly Arrow[] = [
  'gateway → inference-service',
  'inference-service → feature-service',
  'inference-service → registry-service',
  'training-runner → feature-service',
  'training-runner → registry-service',
  'registry-service → feature-service',
];

/** The environment variable through which a caller learns a callee's gRPC address (apps/<caller>/src/config). */
export const ADDRESS_VARIABLES: Readonly<Partial<Record<ServiceName, string>>> = {
  'feature-service': 'FEATURE_SERVICE_ADDRESS',
  'registry-service': 'REGISTRY_ADDRESS',
  'inference-service': 'INFERENCE_ADDRESS',
};

/** Services with a HorizontalPodAutoscaler (enabled by default, switchable in values). */
export const AUTOSCALED_SERVICES: readonly ServiceName[] = ['gateway', 'inference-service'];

/** Whether a name is one of the {@link SERVICES}. */
export function isService(name: string): name is ServiceName {
  return (SERVICES as readonly string[]).includes(name);
}
