import { describe, expect, it } from 'vitest';
import { capabilitiesFrom } from './capabilities';

describe('capabilitiesFrom', () => {
  it('finds run-now and cancel in the OpenAPI paths', () => {
    expect(
      capabilitiesFrom({
        paths: {
          '/api/tree-root/scheduled-tasks/{uuid}/run': { post: {} },
          '/api/tree-root/scheduled-tasks/runs/{run_uuid}/cancel': { post: {} },
        },
      }),
    ).toEqual({ runNow: true, cancelRun: true });
  });

  it('knows when they are missing', () => {
    expect(
      capabilitiesFrom({ paths: { '/api/tree-root/scheduled-tasks/{uuid}/start': { post: {} }, '/api/tree-root/scheduled-tasks/{uuid}/run': { get: {} } } }),
    ).toEqual({ runNow: false, cancelRun: false });
  });

  it('assumes them present when there is no document (a 404 then turns them off)', () => {
    expect(capabilitiesFrom(null)).toEqual({ runNow: true, cancelRun: true });
  });
});
