import { indexHandlers, WorkerBootError } from './worker-runtime';

const noop = async () => undefined;

describe('indexHandlers', () => {
  it('accepts exactly one handler per job type of a served queue', () => {
    const map = indexHandlers([{ queue: 'delivery.sms', type: 'delivery.sms.send', handle: noop }]);
    expect([...map.keys()]).toEqual(['delivery.sms']);
  });

  it('refuses a doubled handler', () => {
    expect(() =>
      indexHandlers([
        { queue: 'billing.usage', type: 'billing.usage.report', handle: noop },
        { queue: 'billing.usage', type: 'billing.usage.report', handle: noop },
      ]),
    ).toThrow(/two handlers for "billing.usage.report"/);
  });

  it('refuses a handler for a type the queue does not carry', () => {
    expect(() =>
      indexHandlers([{ queue: 'delivery.voice', type: 'delivery.sms.send' as never, handle: noop }]),
    ).toThrow(WorkerBootError);
  });
});
