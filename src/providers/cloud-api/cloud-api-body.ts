import type { Message } from '../provider.js';

/**
 * The Cloud API message body, shared by Meta and 360dialog (which takes Meta's body unchanged):
 * META-OAS `TemplateMessage`, with `biz_opaque_callback_data` so status callbacks carry our
 * correlation id back.
 */
export function cloudApiBody(message: Message, extra?: { product_policy: 'STRICT' }): string {
  return JSON.stringify({
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: message.phone,
    type: 'template',
    template: message.template,
    biz_opaque_callback_data: message.correlationId,
    // The Marketing Messages API: STRICT refuses rather than silently sending through Cloud API
    // when the account is not onboarded (Meta "Send marketing messages"), for --marketing-api always.
    ...extra,
  });
}
