import { summarizeLogLine } from './log-line';

describe(summarizeLogLine.name, () => {
  it('keeps level, message and request ID of a JSON line', () => {
    const line = JSON.stringify({ level: 'warn', msg: 'feature stale', request_id: 'r-1', trace_id: 'abc' });
    expect(summarizeLogLine(line)).toEqual({ level: 40, text: 'WARN  feature stale (request r-1)' });
  });

  it('accepts numeric pino levels', () => {
    expect(summarizeLogLine(JSON.stringify({ level: 50, msg: 'boom' }))?.level).toBe(50);
  });

  it('shows a non-JSON line (a crash trace) as an error', () => {
    expect(summarizeLogLine('TypeError: x is undefined')).toEqual({ level: 50, text: 'TypeError: x is undefined' });
  });

  it('drops blank lines', () => {
    expect(summarizeLogLine('   ')).toBeUndefined();
  });
});

describe('console noise', () => {
  it("keeps Nest's info chatter off the console but shows its errors", () => {
    expect(summarizeLogLine(JSON.stringify({ level: 'info', component: 'nest', msg: 'AppModule dependencies initialized' }))).toBeUndefined();
    expect(summarizeLogLine(JSON.stringify({ level: 'error', component: 'nest', msg: 'boom' }))?.level).toBe(50);
  });
});
