import { Controller, Get } from '@nestjs/common';
import { SystemServer } from '../src';

/** `GET /`: tells a user who opens the app URL where everything is. */
@Controller()
export class RootController {
  constructor(private readonly system: SystemServer) {}

  @Get()
  index() {
    const metrics = this.system.url
      ? `${this.system.url}/metrics`
      : '/metrics (when DYN_SYSTEM_ENABLED=true)';
    return {
      name: 'nestjs-dynamo-metrics sample app',
      endpoints: {
        chat: 'POST /v1/chat/completions',
        completions: 'POST /v1/completions',
      },
      metrics,
      health: this.system.url ? `${this.system.url}/health` : null,
      live: this.system.url ? `${this.system.url}/live` : null,
      failingModel: 'sample-fail',
      try: `curl -s localhost:${process.env.PORT ?? 3000}/v1/chat/completions -H 'content-type: application/json' -d '{"model":"demo","messages":[{"role":"user","content":"hi"}]}'`,
    };
  }
}
