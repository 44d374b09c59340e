import type { SubmissionRecord } from '../store/model.js';
import type { Tenant } from '../store/tenant.js';
import type { DomainContext } from './context.js';
import { DomainError, notFound } from './errors.js';

/**
 * `approveSubmission` / `rejectSubmission`: only a pending submission can be reviewed. Approving
 * makes the applicant a member of the partner's community (it then shows in experts and community).
 */
export function reviewSubmission(
  ctx: DomainContext,
  tenant: Tenant,
  id: string,
  decision: 'approved' | 'rejected',
): SubmissionRecord {
  const submission = tenant.submissionsById.get(id);
  if (!submission) {
    throw notFound(
      'submission',
      id,
      'id',
      'List pending ones with partner { submissions(filters: [{status: pending}]) { edges { node { id } } } }.',
    );
  }
  if (submission.status !== 'pending') {
    throw new DomainError(
      'INVALID_TRANSITION',
      `Submission ${id} is already ${submission.status}; only pending submissions can be ${decision}.`,
      {
        submissionId: id,
        currentStatus: submission.status,
        attemptedAction: decision === 'approved' ? 'approve' : 'reject',
      },
    );
  }
  const now = ctx.clock.now();
  submission.status = decision;
  submission.reviewedAt = now;
  if (decision === 'approved') {
    const expert = tenant.expertsById.get(submission.expertId);
    if (expert && !expert.isMember) {
      expert.isMember = true;
      expert.joinedAt = now;
    }
    if (expert && !tenant.communityByExpertId.has(expert.id)) {
      const member = { expertId: expert.id, joinedAt: now, bestFeedbackComments: [] };
      tenant.data.communityExperts.push(member);
      tenant.communityByExpertId.set(expert.id, member);
    }
  }
  const expert = tenant.expertsById.get(submission.expertId);
  const member = expert ? tenant.communityByExpertId.get(expert.id) : undefined;
  ctx.store.changed({
    kind: 'submission',
    tenant,
    submission,
    ...(expert ? { expert } : {}),
    ...(member ? { member } : {}),
  });
  ctx.events.emit('submission.reviewed', { tenantId: tenant.id, submission });
  return submission;
}
