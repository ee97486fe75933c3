export * from './metrics';
export * from './thresholds';
