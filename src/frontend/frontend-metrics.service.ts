import { Injectable } from '@nestjs/common';

/** LLM frontend metrics (placeholder until the frontend issue lands). */
@Injectable()
export class FrontendMetrics {}
