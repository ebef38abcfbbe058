import { describeFindings, fuzzOpenApi, OpenApiDocument } from '@twofold/platform/testing';
import { DeliveryHarness, OPERATOR_KEY, startDelivery } from './harness';

/** Issue 15, the net: malformed input to every operation of the delivery service's OpenAPI document. */
describe('OpenAPI fuzz net: delivery', () => {
  let h: DeliveryHarness;
  beforeAll(async () => {
    h = await startDelivery();
  });
  afterAll(() => h.close());

  it('no operation answers 5xx; every 4xx carries code, message and correlationId (R29)', async () => {
    const document = (await h.http().get('/docs/openapi.json')).body as OpenApiDocument;
    const report = await fuzzOpenApi({ http: h.http, document, credentials: [`Bearer ${OPERATOR_KEY}`] });
    expect(report.operations).toBeGreaterThan(3);
    expect(describeFindings(report.findings)).toEqual([]);
  }, 120_000);
});
