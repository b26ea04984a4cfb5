import type { Mail } from './mailer.ts';

/** The texts of every mail the auth server sends, in one place. Plain text: nothing to escape. */
export const mailTemplates = {
  verifyEmail: (to: string, link: string): Mail => ({
    to,
    subject: 'Confirm your e-mail address',
    link,
    text: `Hello,\n\nConfirm your e-mail address by opening this link within 24 hours:\n\n${link}\n\nIf you did not create an account, ignore this mail.\n`,
  }),
  alreadyRegistered: (to: string, signInLink: string, resetLink: string): Mail => ({
    to,
    subject: 'You already have an account',
    link: signInLink,
    text: `Hello,\n\nSomeone (maybe you) tried to create an account with this e-mail address, but it already has one.\n\nForgot your password? Reset it here: ${resetLink}\n\nIf it was not you, ignore this mail; nothing changed.\n`,
  }),
  resetPassword: (to: string, link: string): Mail => ({
    to,
    subject: 'Reset your password',
    link,
    text: `Hello,\n\nChoose a new password by opening this link within 30 minutes:\n\n${link}\n\nIf you did not ask for this, ignore this mail; your password stays as it is.\n`,
  }),
};
