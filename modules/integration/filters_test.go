package integration_test

import (
	"encoding/base64"
	"net/url"
	"testing"

	"github.com/curatorops/curatorops/app/apptest"
)

// Control characters and invalid UTF-8 in the free-text filters are a 422
// naming the parameter, never a 500, on both databases.
func TestQueryFiltersRefuseControlCharacters(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		admin := alpha.People["admin"]
		w := createWebhook(t, s, alpha, "https://lms.example/hooks", "*")
		nulCursor := base64.RawURLEncoding.EncodeToString([]byte(`["a\u0000b"]`))
		cases := []struct{ path, param, value string }{
			{"/events", "type", "student\x00.upserted"},
			{"/events", "type", "student\x1f"},
			{"/events", "type", "a\xffb"},
			{"/events", "event_id", "evt\x00"},
			{"/events", "event_id", "evt\r\n1"},
			{"/events", "cursor", nulCursor},
			{"/webhooks/" + w.ID + "/deliveries", "event_type", "review\x00.completed"},
			{"/webhooks/" + w.ID + "/deliveries", "event_type", "\x7f"},
			{"/webhooks/" + w.ID + "/deliveries", "cursor", nulCursor},
			{"/webhooks", "cursor", nulCursor},
		}
		for _, c := range cases {
			t.Run(c.path+"?"+c.param, func(t *testing.T) {
				s.WithT(t).Do(get, alpha.Path(c.path+"?"+c.param+"="+url.QueryEscape(c.value)), nil, admin.Auth()).ExpectProblem(422, "query."+c.param)
			})
		}
		// Ordinary values still filter.
		s.Do(get, alpha.Path("/events?type=student.upserted&event_id=evt-1"), nil, admin.Auth()).Expect(200)
		s.Do(get, alpha.Path("/webhooks/"+w.ID+"/deliveries?event_type=review.completed"), nil, admin.Auth()).Expect(200)
	})
}
