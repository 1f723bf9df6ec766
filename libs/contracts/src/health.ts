/** `GET /api/health`. The 200 body is `{code:200, message:"API is healthy.", data:{}}`. */
export interface HealthResponse {
  code: number;
  message: string;
  data: Record<string, unknown>;
}

export const HEALTHY_MESSAGE = 'API is healthy.';
