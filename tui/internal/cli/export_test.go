package cli

// Aliases of the JSON shapes for the external tests (package cli_test).
type (
	BatchLineJSON     = batchLineJSON
	CommissionJSON    = commissionJSON
	CouponJSON        = couponJSON
	KeyJSON           = keyJSON
	LinkJSON          = linkJSON
	PartnerPayoutJSON = partnerPayoutJSON
	PayoutJSON        = payoutJSON
	StatsJSON         = statsJSON
	TeamMemberJSON    = teamMemberJSON
	WhoamiJSON        = whoamiJSON
)
