// The baseline: a bare Fastify route that parses the same body and answers 202.
import Fastify from 'fastify';

const app = Fastify({ bodyLimit: 1024 * 1024 });
app.post('/v1/webhooks/alertmanager', async (request, reply) => {
  const body = request.body as { alerts?: unknown[] };
  return reply.code(202).send({ accepted: body.alerts?.length ?? 0 });
});
const url = await app.listen({ host: '127.0.0.1', port: Number(process.env['PORT'] ?? 0) });
process.stdout.write(`listening ${url}\n`);
