package school_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/platform/bizcal"
)

func demoSpec() map[string]any {
	day := []map[string]string{{"start": "09:00", "end": "21:00"}}
	return map[string]any{
		"time_zone": "Europe/Moscow",
		"weekly": map[string]any{"monday": day, "tuesday": day, "wednesday": day, "thursday": day, "friday": day,
			"saturday": []map[string]string{{"start": "10:00", "end": "18:00"}}},
		"holidays": bizcal.Russia2026Holidays(),
	}
}

func TestCalendarsAndDeadlines(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		beta := s.NewSchool("beta")
		head, cur := alpha.People["head_of_service"], alpha.People["curator"]
		msk, _ := time.LoadLocation("Europe/Moscow")

		created := s.Do(post, alpha.Path("/calendars"), map[string]any{"name": "Основной", "spec": demoSpec()}, head.Auth()).Expect(201).Map()
		id := created["id"].(string)
		if created["is_default"] != true {
			t.Fatal("the first calendar must be the default")
		}
		s.Do(post, alpha.Path("/calendars"), map[string]any{"name": "Основной", "spec": demoSpec()}, head.Auth()).ExpectProblem(409)
		s.Do(post, alpha.Path("/calendars"), map[string]any{"name": "X", "spec": demoSpec()}, cur.Auth()).ExpectProblem(403)

		deadline := func(start time.Time, d time.Duration) time.Time {
			var out struct {
				DueAt    time.Time `json:"due_at"`
				Segments []struct{ Seconds int64 }
			}
			q := url.Values{"start": {start.Format(time.RFC3339)}, "duration_seconds": {strconv.FormatInt(int64(d/time.Second), 10)}}
			s.Do(http.MethodGet, alpha.Path("/calendars/"+id+"/deadline?"+q.Encode()), nil, cur.Auth()).Expect(200).Decode(&out)
			var sum int64
			for _, seg := range out.Segments {
				sum += seg.Seconds
			}
			if sum != int64(d/time.Second) {
				t.Errorf("segments add up to %d s, want %d", sum, int64(d/time.Second))
			}
			return out.DueAt.In(msk)
		}
		// A message on Saturday 19:00 with a 2-hour target is due Monday 11:00.
		if got := deadline(time.Date(2026, 3, 14, 19, 0, 0, 0, msk), 2*time.Hour); !got.Equal(time.Date(2026, 3, 16, 11, 0, 0, 0, msk)) {
			t.Errorf("Saturday 19:00 + 2h due %v", got)
		}
		// Friday 20:00 + 24h: 1h Friday, 8h Saturday, 12h Monday, 3h Tuesday.
		if got := deadline(time.Date(2026, 3, 13, 20, 0, 0, 0, msk), 24*time.Hour); !got.Equal(time.Date(2026, 3, 17, 12, 0, 0, 0, msk)) {
			t.Errorf("Friday 20:00 + 24h due %v", got)
		}
		// 4 November is a holiday: work resumes on the 5th.
		if got := deadline(time.Date(2026, 11, 3, 20, 30, 0, 0, msk), time.Hour); !got.Equal(time.Date(2026, 11, 5, 9, 30, 0, 0, msk)) {
			t.Errorf("across the holiday due %v", got)
		}

		var bt struct {
			BusinessSeconds int64 `json:"business_seconds"`
		}
		q := url.Values{"from": {time.Date(2026, 3, 13, 0, 0, 0, 0, msk).Format(time.RFC3339)}, "to": {time.Date(2026, 3, 16, 0, 0, 0, 0, msk).Format(time.RFC3339)}}
		s.Do(http.MethodGet, alpha.Path("/calendars/"+id+"/business-time?"+q.Encode()), nil, cur.Auth()).Expect(200).Decode(&bt)
		if bt.BusinessSeconds != 20*3600 {
			t.Errorf("Friday to Monday has %d s of work, want 20 h", bt.BusinessSeconds)
		}
		q.Set("to", q.Get("from"))
		s.Do(http.MethodGet, alpha.Path("/calendars/"+id+"/business-time?"+q.Encode()), nil, cur.Auth()).ExpectProblem(422, "query.to")

		bad := demoSpec()
		bad["weekly"] = map[string]any{"monday": []map[string]string{{"start": "09:00", "end": "18:00"}, {"start": "17:00", "end": "20:00"}}}
		s.Do(post, alpha.Path("/calendars"), map[string]any{"name": "Кривой", "spec": bad}, head.Auth()).ExpectProblem(422, "body.spec.weekly.monday[1]")
		bad = demoSpec()
		bad["time_zone"] = "Mars/Olympus"
		s.Do(post, alpha.Path("/calendars"), map[string]any{"name": "Кривой", "spec": bad}, head.Auth()).ExpectProblem(422, "body.spec.time_zone")

		night := map[string]any{"time_zone": "Europe/Moscow", "always_open": true}
		nid := s.Do(post, alpha.Path("/calendars"), map[string]any{"name": "Круглосуточно", "is_default": true, "spec": night}, head.Auth()).Expect(201).Map()["id"].(string)
		first := s.Do(http.MethodGet, alpha.Path("/calendars/"+id), nil, head.Auth()).Expect(200)
		if first.Map()["is_default"] != false || first.Header.Get("ETag") != `"1"` {
			t.Fatalf("the old default after a new one: %s %s", first.Header.Get("ETag"), first.Body)
		}
		s.Do(http.MethodPut, alpha.Path("/calendars/"+nid), map[string]any{"name": "Круглосуточно", "spec": night}, head.Auth(), ifMatch(1)).ExpectProblem(409)
		s.Do(http.MethodPut, alpha.Path("/calendars/"+id), map[string]any{"name": "Основной", "is_default": true, "spec": demoSpec()}, head.Auth()).ExpectProblem(428)
		s.Do(http.MethodPut, alpha.Path("/calendars/"+id), map[string]any{"name": "Основной", "is_default": true, "spec": demoSpec()}, head.Auth(), ifMatch(1)).Expect(200)
		s.Do(http.MethodPut, alpha.Path("/calendars/"+id), map[string]any{"name": "Основной", "spec": demoSpec()}, head.Auth(), ifMatch(1)).ExpectProblem(412)

		var list struct {
			Items []struct {
				IsDefault bool `json:"is_default"`
			}
		}
		s.Do(http.MethodGet, alpha.Path("/calendars"), nil, cur.Auth()).Expect(200).Decode(&list)
		defaults := 0
		for _, c := range list.Items {
			if c.IsDefault {
				defaults++
			}
		}
		if len(list.Items) != 2 || defaults != 1 {
			t.Fatalf("calendars %+v: want two with one default", list.Items)
		}
		s.Do(http.MethodGet, beta.Path("/calendars/"+id), nil, beta.People["head_of_service"].Auth()).ExpectProblem(404)
		s.Do(http.MethodGet, alpha.Path("/calendars/"+id), nil, beta.People["head_of_service"].Auth()).ExpectProblem(404)
	})
}

// A deadline or a measurement outside the range plans may be made for is a
// 422 naming the field, never a year-10000 answer that cannot be encoded.
func TestDeadlinesStayInTheSupportedRange(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		head := alpha.People["head_of_service"]
		open := map[string]any{"time_zone": "Europe/Moscow", "always_open": true}
		id := s.Do(post, alpha.Path("/calendars"), map[string]any{"name": "Круглосуточно", "spec": open}, head.Auth()).Expect(201).Map()["id"].(string)
		deadline := func(start string, seconds int64) url.Values {
			return url.Values{"start": {start}, "duration_seconds": {strconv.FormatInt(seconds, 10)}}
		}
		cases := []struct {
			name, path, field string
			query             url.Values
		}{
			{"due past 2100", "/deadline", "query.duration_seconds", deadline("2099-12-31T23:30:00Z", 3600)},
			{"start in year 9999", "/deadline", "query.start", deadline("9999-12-31T23:30:00Z", 60)},
			{"start before 2000", "/deadline", "query.start", deadline("1999-12-31T23:59:59Z", 60)},
			{"measure to year 9999", "/business-time", "query.from", url.Values{"from": {"9999-12-30T00:00:00Z"}, "to": {"9999-12-31T00:00:00Z"}}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				s.Do(http.MethodGet, alpha.Path("/calendars/"+id+c.path+"?"+c.query.Encode()), nil, head.Auth()).ExpectProblem(422, c.field)
			})
		}
		var out struct {
			DueAt time.Time `json:"due_at"`
		}
		s.Do(http.MethodGet, alpha.Path("/calendars/"+id+"/deadline?"+deadline("2099-12-31T22:00:00Z", 3600).Encode()), nil, head.Auth()).Expect(200).Decode(&out)
		if want := time.Date(2099, 12, 31, 23, 0, 0, 0, time.UTC); !out.DueAt.Equal(want) {
			t.Errorf("the last hour of the range is due %v, want %v", out.DueAt, want)
		}
	})
}
