import type { DownloadReport } from '../../core/report/downloadReport';
import { cell } from './reportValues';

/** `kling download` as the job summary shows it: each paid video asked for, where it was saved or why it was not. */
export function downloadMarkdown(report: DownloadReport): string {
  const lines = ['### Kling download', ''];
  if (report.videos.length === 0) {
    lines.push('No paid video was waiting to be saved: nothing downloaded.');
  } else {
    lines.push('| video | state | file or reason | task |', '|---|---|---|---|');
    for (const v of report.videos) lines.push(`| ${cell(v.label)} | ${v.state} | ${cell(v.file ?? v.message ?? '')} | ${v.taskId ? `\`${v.taskId}\`` : ''} |`);
  }
  const failed = report.videos.filter((v) => v.state === 'failed').length;
  lines.push('', `${report.videos.length - failed} saved, ${failed} not saved. Nothing was paid again.`);
  return `${lines.join('\n')}\n`;
}
