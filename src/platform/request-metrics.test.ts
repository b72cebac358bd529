import { describe, expect, it } from "vitest";
import { createMetrics } from "./metrics.js";

describe("request metrics", () => {
  it("exposes a Prometheus counter and a cumulative histogram per method, route and status", async () => {
    const { http, registry } = createMetrics({ collectDefaults: false });
    http.observe("GET", "/api/v1/servers/:id", 200, 0.005);
    http.observe("GET", "/api/v1/servers/:id", 200, 0.05);
    http.observe("GET", "/api/v1/servers/:id", 200, 3);
    http.observe("POST", "/api/v1/servers", 409, 0.01);
    const text = await registry.metrics();
    const lines = text.split("\n");
    const get = 'method="GET",route="/api/v1/servers/:id",status="200"';
    expect(lines).toEqual(
      expect.arrayContaining([
        "# TYPE sark_http_requests_total counter",
        `sark_http_requests_total{${get}} 3`,
        'sark_http_requests_total{method="POST",route="/api/v1/servers",status="409"} 1',
        "# TYPE sark_http_request_duration_seconds histogram",
        `sark_http_request_duration_seconds_bucket{${get},le="0.01"} 1`,
        `sark_http_request_duration_seconds_bucket{${get},le="0.1"} 2`,
        `sark_http_request_duration_seconds_bucket{${get},le="+Inf"} 3`,
        `sark_http_request_duration_seconds_sum{${get}} 3.055`,
        `sark_http_request_duration_seconds_count{${get}} 3`,
        'sark_http_request_duration_seconds_bucket{method="POST",route="/api/v1/servers",status="409",le="0.01"} 1',
      ]),
    );
  });
});
