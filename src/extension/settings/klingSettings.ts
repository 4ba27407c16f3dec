import * as vscode from 'vscode';
import type { ProxySettings } from '../../core/api/proxySettings';

export type BackendSetting = 'api' | 'simulator';

export const SECTION = 'klingStudio';

/** Typed reads of the klingStudio.* settings, with their defaults from package.json. */
export const klingSettings = {
  backend(): BackendSetting {
    return config().get<BackendSetting>('backend') === 'simulator' ? 'simulator' : 'api';
  },
  baseUrl(): string {
    return config().get<string>('baseUrl')?.trim() || 'https://api.evolink.ai';
  },
  outputFolder(): string {
    return config().get<string>('outputFolder')?.trim() || 'kling-videos';
  },
  confirmAboveUsd(): number {
    const value = config().get<number>('confirmAboveUsd');
    return typeof value === 'number' && value >= 0 ? value : 1;
  },
  dailyBudgetUsd(): number | undefined {
    const value = config().get<number | null>('dailyBudgetUsd');
    return typeof value === 'number' && value >= 0 ? value : undefined;
  },
  simulatorSpeed(): number {
    const value = config().get<number>('simulatorSpeed');
    return typeof value === 'number' && value >= 1 ? Math.min(1000, value) : 1;
  },
  /** VS Code's own proxy settings (`http.proxy`, `http.proxyStrictSSL`, `http.noProxy`); undefined url: the environment's. */
  proxy(): ProxySettings {
    const http = vscode.workspace.getConfiguration('http');
    return {
      url: http.get<string>('proxy')?.trim() || undefined,
      strictSSL: http.get<boolean>('proxyStrictSSL') ?? true,
      noProxy: http.get<string[]>('noProxy') ?? [],
    };
  },
  async setBackend(backend: BackendSetting): Promise<void> {
    await config().update('backend', backend, vscode.ConfigurationTarget.Global);
  },
};

function config(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(SECTION);
}

export function affectsKling(event: vscode.ConfigurationChangeEvent, key?: string): boolean {
  return event.affectsConfiguration(key ? `${SECTION}.${key}` : SECTION);
}
