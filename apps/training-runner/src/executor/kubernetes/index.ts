export * from './kubernetes-api';
export * from './kubernetes-executor';
export * from './kubernetes-jobs-api';
export * from './training-job-manifest';
