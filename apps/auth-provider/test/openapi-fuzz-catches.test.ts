import { Body, Controller, DynamicModule, Get, Module, Param, Post, Query } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApiProperty, ApiQuery } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import request from 'supertest';
import { baseConfigSchema, httpConfigSchema, loadConfig } from '@twofold/platform/config';
import { createHttpApp, loggerModule } from '@twofold/platform/http';
import { describeFindings, fuzzOpenApi, OpenApiDocument } from '@twofold/platform/testing';

class ThingDto {
  @ApiProperty() @IsString() @MaxLength(20_000) name!: string;
}

/** An operation as a new one might be written: a long name reaches a column too narrow for it, an id is parsed by hand. */
@Controller('things')
class CarelessController {
  @Post()
  create(@Body() body: ThingDto): { ok: boolean } {
    if (body.name.length > 5_000) throw new Error('value too long for type character varying(5000)');
    return { ok: true };
  }

  @Get(':id')
  get(@Param('id') id: string): { id: string } {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new TypeError('invalid input syntax for type uuid');
    return { id };
  }

  @Get()
  @ApiQuery({ name: 'cursor', required: false })
  list(@Query('cursor') _cursor?: string): { items: unknown[] } {
    return { items: [] };
  }
}

const config = loadConfig(baseConfigSchema.merge(httpConfigSchema), {
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
});

@Module({})
class CarelessModule {
  static forRoot(): DynamicModule {
    return {
      module: CarelessModule,
      imports: [loggerModule(config, 'fuzz-self-test')],
      controllers: [CarelessController],
    };
  }
}

/** The net must catch an operation that breaks the rule, naming the operation and the input. */
describe('the OpenAPI fuzz net catches a careless operation', () => {
  let app: NestFastifyApplication;
  beforeAll(async () => {
    app = await createHttpApp(
      CarelessModule.forRoot(),
      { ...config, PORT: 0 },
      { title: 'careless', description: 'test' },
    );
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(() => app.close());

  it('reports the 500s of a new operation, and nothing for the careful one', async () => {
    const http = () => request(app.getHttpServer());
    const document = (await http().get('/docs/openapi.json')).body as OpenApiDocument;
    const report = await fuzzOpenApi({ http, document, credentials: [] });
    expect(report.operations).toBe(3);
    const lines = describeFindings(report.findings);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^POST \/v1\/things \[body\.name 10,000 characters\] → 500/),
        expect.stringMatching(/^GET \/v1\/things\/\{id\} \[path id=not-a-uuid\] → 500/),
      ]),
    );
    expect(lines.filter((l) => l.startsWith('GET /v1/things ['))).toEqual([]);
  });
});
