package server

import "github.com/curatorops/curatorops/modules/pay"

// PayFacts exposes the pay facts adapter to the tests of this package.
func PayFacts(svc *Services) pay.Facts { return newPayFacts(svc) }
