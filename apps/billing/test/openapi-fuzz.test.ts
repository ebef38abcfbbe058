import { describeFindings, fuzzOpenApi, OpenApiDocument } from '@twofold/platform/testing';
import { BillingHarness, createTenant, startBilling } from './harness';

/** Issue 15, the net: malformed input to every operation of the billing service's OpenAPI document. */
describe('OpenAPI fuzz net: billing', () => {
  let h: BillingHarness;
  let apiKey: string;
  beforeAll(async () => {
    h = await startBilling();
    apiKey = (await createTenant(h)).apiKey;
  });
  afterAll(() => h.close());

  it('no operation answers 5xx; every 4xx carries code, message and correlationId (R29)', async () => {
    const document = (await h.http().get('/docs/openapi.json')).body as OpenApiDocument;
    const report = await fuzzOpenApi({ http: h.http, document, credentials: [`Bearer ${apiKey}`] });
    expect(report.operations).toBeGreaterThan(1);
    expect(describeFindings(report.findings)).toEqual([]);
  }, 120_000);
});
