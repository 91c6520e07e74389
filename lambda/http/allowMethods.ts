import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { HttpError } from './HttpError';

/** Refuses other methods with 405 and an Allow header. */
export const allowMethods = (methods: string[]): MiddlewareObj<APIGatewayProxyEvent> => {
  const allow = methods.join(', ');
  return {
    before: (request) => {
      if (!methods.includes(request.event.httpMethod)) {
        throw new HttpError(405, 'MethodNotAllowed', `Use ${allow}.`, { headers: { Allow: allow } });
      }
    },
  };
};
