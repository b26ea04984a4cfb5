import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { SMTPServer } from 'smtp-server';

export interface SinkMail {
  to: string[];
  subject: string;
  /** The body with quoted-printable soft breaks and escapes decoded. */
  text: string;
}

export interface SmtpSink {
  url: string;
  mails: SinkMail[];
  /** The next mail to `to` whose subject matches, waiting up to 10 s. */
  waitFor(to: string, subject: RegExp): Promise<SinkMail>;
  /** The first link in a mail that starts with `prefix`. */
  linkIn(mail: SinkMail, prefix: string): string;
  close(): Promise<void>;
}

/** A real SMTP server on 127.0.0.1 that keeps every mail it receives (no TLS, auth optional). */
export async function startSmtpSink(): Promise<SmtpSink> {
  const mails: SinkMail[] = [];
  const taken = new Set<SinkMail>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const [head = '', ...body] = raw.split(/\r?\n\r?\n/);
        const subject = /^Subject: (.*)$/im.exec(head)?.[1]?.trim() ?? '';
        const text = body
          .join('\n\n')
          .replace(/=\r?\n/g, '')
          .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()), subject, text });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    async waitFor(to, subject) {
      for (let i = 0; i < 200; i++) {
        const found = mails.find(
          (m) => !taken.has(m) && m.to.includes(to.toLowerCase()) && subject.test(m.subject),
        );
        if (found) {
          taken.add(found);
          return found;
        }
        await sleep(50);
      }
      throw new Error(`no mail to ${to} matching ${subject} within 10 s`);
    },
    linkIn(mail, prefix) {
      const link = mail.text.split(/\s+/).find((w) => w.startsWith(prefix));
      if (!link) throw new Error(`no link starting with ${prefix} in "${mail.subject}"`);
      return link;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
