export function workflowUrl(uiBase: string, namespace: string, workflowId: string, runId?: string): string {
  const base = `${uiBase.replace(/\/$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
  return runId ? `${base}/${encodeURIComponent(runId)}/history` : base;
}

export function scheduleUrl(uiBase: string, namespace: string, scheduleId: string): string {
  return `${uiBase.replace(/\/$/, '')}/namespaces/${encodeURIComponent(namespace)}/schedules/${encodeURIComponent(scheduleId)}`;
}
