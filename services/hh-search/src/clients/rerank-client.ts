import { JsonClient } from './http.js';

export interface RerankDocument {
  id: string;
  title?: string;
  headline?: string;
  text?: string;
  skills?: string[];
  yearsExperience?: number;
  seniority?: string;
  location?: { country?: string; region?: string; city?: string };
  remote?: boolean;
  language?: 'en' | 'pt';
}

export interface RerankJob {
  title?: string;
  skills?: string[];
  niceToHave?: string[];
  minYears?: number;
  maxYears?: number;
  seniority?: string;
  countries?: string[];
  cities?: string[];
  remote?: boolean;
}

export interface RerankResult {
  index: number;
  id?: string;
  relevance_score: number;
  reasons: string[];
}

export class RerankClient {
  private readonly http: JsonClient;
  constructor(origin: string, opts: { serviceAuthSecret?: string | undefined } = {}) {
    this.http = new JsonClient('hh-rerank', origin, opts);
  }

  async rerank(
    query: string,
    documents: RerankDocument[],
    job: RerankJob | undefined,
    opts: { timeoutMs: number; requestId?: string },
  ): Promise<{ model: string; results: RerankResult[] }> {
    return this.http.post('/v1/rerank', { query, documents, top_n: documents.length, ...(job ? { job } : {}) }, opts);
  }

  setLog(log: Parameters<JsonClient['setLog']>[0]): void {
    this.http.setLog(log);
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
