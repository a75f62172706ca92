/** local@domain.tld with no whitespace and one '@': the shape UID2 and TikTok accept as an email address. */
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const looksLikeEmailAddress = (value: string): boolean => EMAIL_SHAPE.test(value);
