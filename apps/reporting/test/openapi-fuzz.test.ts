import { describeFindings, fuzzOpenApi, OpenApiDocument } from '@twofold/platform/testing';
import { bearer, ReportingHarness, seedRecords, seedTenant, startReporting } from './harness';

/** Issue 15, the net: malformed input to every operation of the reporting service's OpenAPI document. */
describe('OpenAPI fuzz net: reporting', () => {
  let h: ReportingHarness;
  let apiKey: string;
  beforeAll(async () => {
    // No worker: exports stay queued (the fuzz creates some); a generous cap so they do not all answer 429.
    h = await startReporting({ worker: false, env: { EXPORT_ACTIVE_PER_TENANT: '100' } });
    const t = await seedTenant(h, 'Fuzz', 'us');
    await seedRecords(h, t, 'us', [{ at: new Date('2026-11-02T00:00:00Z'), userName: 'a@fuzz.example' }]);
    apiKey = t.apiKey;
  });
  afterAll(() => h.close());

  it('no operation answers 5xx; every 4xx carries code, message and correlationId (R29)', async () => {
    const document = (await h.http().get('/docs/openapi.json')).body as OpenApiDocument;
    const report = await fuzzOpenApi({ http: h.http, document, credentials: [bearer(apiKey).authorization] });
    expect(report.operations).toBeGreaterThan(3);
    expect(describeFindings(report.findings)).toEqual([]);
  }, 120_000);
});
