import { DomainError, NotFoundError } from '@twofold/platform/errors';

export enum LicenseErrorCode {
  LicensePoolNotFound = 'license_pool_not_found',
  LicenseAssignmentNotFound = 'license_assignment_not_found',
  NoFreeSeats = 'no_free_seats',
  UserAlreadyLicensed = 'user_already_licensed',
  LicensePoolExpired = 'license_pool_expired',
  SeatsBelowAssigned = 'seats_below_assigned',
  LicensePoolInUse = 'license_pool_in_use',
  LicenseTermInvalid = 'license_term_invalid',
  UnlicensedUsersRemain = 'unlicensed_users_remain',
  OperatorOnly = 'operator_only',
  LicensePoolPurchased = 'license_pool_purchased',
}

export const LicenseErrors = {
  /** R4: seats are bought (decision 0018); a tenant key cannot make or grow them. */
  operatorOnly: () =>
    new DomainError(
      LicenseErrorCode.OperatorOnly,
      'forbidden',
      'Seats are bought: buy them with POST /v1/billing/license-purchases (billing service), or ask the platform ' +
        'operator for a sales-led pool. A tenant key may read pools, rename them and assign or unassign seats.',
    ),
  poolPurchased: () =>
    new DomainError(
      LicenseErrorCode.LicensePoolPurchased,
      'conflict',
      'This pool was bought through Stripe: its seats and term follow the purchase (PATCH /v1/billing/license-purchases/{id}).',
    ),
  poolNotFound: () => new NotFoundError(LicenseErrorCode.LicensePoolNotFound, 'The license pool'),
  assignmentNotFound: () => new NotFoundError(LicenseErrorCode.LicenseAssignmentNotFound, 'The license assignment'),
  noFreeSeats: (seats: number) =>
    new DomainError(LicenseErrorCode.NoFreeSeats, 'conflict', `All ${seats} seats of this pool are assigned (R4).`, {
      seats,
    }),
  alreadyLicensed: () =>
    new DomainError(LicenseErrorCode.UserAlreadyLicensed, 'conflict', 'The user already holds a license in force.'),
  poolExpired: () =>
    new DomainError(
      LicenseErrorCode.LicensePoolExpired,
      'conflict',
      'The pool’s term is not in force: its seats license nobody now.',
    ),
  seatsBelowAssigned: (assigned: number) =>
    new DomainError(
      LicenseErrorCode.SeatsBelowAssigned,
      'conflict',
      `${assigned} seats are assigned; unassign some before lowering the seat count below that.`,
      { assigned },
    ),
  poolInUse: (assigned: number) =>
    new DomainError(LicenseErrorCode.LicensePoolInUse, 'conflict', `The pool still has ${assigned} assignments.`, {
      assigned,
    }),
  termInvalid: () =>
    new DomainError(LicenseErrorCode.LicenseTermInvalid, 'invalid', 'termEnd must be after termStart.', {
      errors: [{ field: 'termEnd', problems: ['termEnd must be after termStart'] }],
    }),
  /** R5: a per_user provider cannot go while an MFA-enabled user of its tenant has no license. */
  unlicensedUsersRemain: (count: number) =>
    new DomainError(
      LicenseErrorCode.UnlicensedUsersRemain,
      'conflict',
      `${count} MFA-enabled users hold no license; license them (or disable MFA for them) before deleting this per_user provider (R5).`,
      { count },
    ),
};
