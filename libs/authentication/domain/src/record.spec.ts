import { buildRecord, ClosedAuthentication, RecordContext } from './record';

const auth: ClosedAuthentication = {
  id: 'a1',
  providerId: 'p1',
  serverId: 's1',
  userId: 'u1',
  userName: 'alice@example.com',
  method: 'sms',
  status: 'succeeded',
  denyReason: null,
  phone: '+14155550100',
  clientIp: '203.0.113.7',
  correlationId: 'corr-1',
  completedAt: new Date('2026-12-03T10:00:00Z'),
};
const context: RecordContext = {
  firstName: 'Alice',
  lastName: 'Liddell',
  email: 'alice@example.com',
  recordFields: null,
  serverName: 'edge-1',
  serverIp: '10.0.0.1',
  dataRegion: 'eu',
  deliveryStatus: 'delivered',
};
const now = new Date('2026-12-03T11:00:00Z');
const keepAll = {
  firstName: true,
  lastName: true,
  email: true,
  phoneNumber: true,
  deviceToken: true,
  serverName: true,
  serverIp: true,
  clientIp: true,
};

describe('buildRecord (R26)', () => {
  it('keeps every field by default, with the completion time and the correlation id', () => {
    expect(buildRecord(auth, context, keepAll, 'device-1', now)).toEqual({
      authenticationId: 'a1',
      providerId: 'p1',
      occurredAt: auth.completedAt,
      uniqueId: 'alice@example.com',
      userId: 'u1',
      serverId: 's1',
      firstName: 'Alice',
      lastName: 'Liddell',
      email: 'alice@example.com',
      phone: '+14155550100',
      deviceToken: 'device-1',
      method: 'sms',
      mode: 'sms',
      result: 'success',
      denyReason: null,
      serverName: 'edge-1',
      serverIp: '10.0.0.1',
      clientIp: '203.0.113.7',
      dataRegion: 'eu',
      deliveryStatus: 'delivered',
      correlationId: 'corr-1',
    });
  });

  it('drops what the provider does not keep, never the identity, result or region', () => {
    const keep = { ...keepAll, firstName: false, email: false, phoneNumber: false, clientIp: false };
    const r = buildRecord(auth, context, keep, null, now);
    expect(r).toMatchObject({ firstName: null, email: null, phone: null, clientIp: null, lastName: 'Liddell' });
    expect(r).toMatchObject({ uniqueId: 'alice@example.com', result: 'success', dataRegion: 'eu' });
  });

  it('an expired authentication is a deny with reason expired; a method without delivery has no delivery status', () => {
    const r = buildRecord(
      { ...auth, method: 'app_code', status: 'expired', completedAt: null },
      context,
      keepAll,
      null,
      now,
    );
    expect(r).toMatchObject({ result: 'deny', denyReason: 'expired', deliveryStatus: null, occurredAt: now });
  });
});
