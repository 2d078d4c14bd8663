import { Controller, Get, Req } from '@nestjs/common';
import { SystemServer } from '../src';

/** `GET /`: tells a user who opens the app URL where everything is. */
@Controller()
export class RootController {
  constructor(private readonly system: SystemServer) {}

  @Get()
  index(@Req() req: { headers: Record<string, string | string[] | undefined> }) {
    const { metricsPath } = this.system;
    const metrics =
      metricsPath === undefined
        ? 'off (start with DYN_SYSTEM_ENABLED=true)'
        : this.system.url
          ? `${this.system.url}${metricsPath}`
          : `http://${String(req.headers.host ?? 'localhost')}${metricsPath}`;
    return {
      name: 'nestjs-dynamo-metrics sample app',
      endpoints: {
        chat: 'POST /v1/chat/completions',
        completions: 'POST /v1/completions',
        models: 'GET /v1/models',
        model: 'GET /v1/models/:model',
      },
      metrics,
      status: this.system.statusPage ? `${this.system.url}/` : null,
      health: this.system.url ? `${this.system.url}${this.system.probePaths.health}` : null,
      live: this.system.url ? `${this.system.url}${this.system.probePaths.live}` : null,
      failingModel: 'sample-fail',
      try: `curl -s localhost:${process.env.PORT ?? 3000}/v1/chat/completions -H 'content-type: application/json' -d '{"model":"demo","messages":[{"role":"user","content":"hi"}]}'`,
    };
  }
}
