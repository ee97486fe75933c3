export { freePort, freePortRange } from './free-port';
