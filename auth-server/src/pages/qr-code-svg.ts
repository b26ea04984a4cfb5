import QRCode from 'qrcode';

/**
 * `text` as a QR code, an inline SVG drawn here (no script, no image fetched: the pages' CSP
 * allows neither), dark on light whatever the colour scheme (scanners need the contrast), named
 * for screen readers by `label`. The one module that imports `qrcode`. The SVG holds only paths
 * drawn from `text`, never `text` itself; the label is escaped.
 */
export async function qrCodeSvg(text: string, label: string): Promise<string> {
  const svg = await QRCode.toString(text, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
  const escaped = label.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return svg.replace('<svg ', `<svg class="qr-code" role="img" aria-label="${escaped}" `);
}
