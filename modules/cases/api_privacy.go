package cases

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// StudentCasesExportDTO is everything the cases module holds about a student.
type StudentCasesExportDTO struct {
	StudentID string                  `json:"student_id" format:"uuid"`
	OptedOut  bool                    `json:"opted_out" doc:"The student asked never to be asked for a case again."`
	Requests  []CaseRequestDTO        `json:"requests"`
	Cases     []CaseDTO               `json:"cases"`
	Consents  []StudentCaseConsentDTO `json:"consents"`
}

// StudentCaseConsentDTO is a consent row with the case it is about.
type StudentCaseConsentDTO struct {
	CaseID string `json:"case_id" format:"uuid"`
	CaseConsentDTO
}

func registerPrivacy(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("students", "export"), huma.Operation{
		OperationID: "export-student-cases", Method: http.MethodPost, Path: "/v1/orgs/{org}/students/{id}/cases-export", Tags: []string{tagCases},
		Summary:     "Export a student's cases",
		Description: "The cases module's part of a data-subject access request: requests (without link tokens), cases with the student's words, consents. Audited.",
	}, func(ctx context.Context, in *IDPath) (*struct{ Body StudentCasesExportDTO }, error) {
		org := httpapi.OrgID(ctx)
		x, err := svc.StudentData(ctx, org, in.ID)
		if err != nil {
			return nil, err
		}
		out, err := svc.exportDTO(ctx, org, in.ID, x)
		if err != nil {
			return nil, err
		}
		return &struct{ Body StudentCasesExportDTO }{Body: out}, nil
	})
}

// exportDTO is the document of a student's cases, for both exports.
func (s *Service) exportDTO(ctx context.Context, orgID, studentID string, x *StudentData) (StudentCasesExportDTO, error) {
	names, err := s.curatorNames(ctx, orgID, x.Submissions)
	if err != nil {
		return StudentCasesExportDTO{}, err
	}
	now := s.Now()
	out := StudentCasesExportDTO{StudentID: studentID, OptedOut: x.OptedOut, Requests: []CaseRequestDTO{}, Cases: []CaseDTO{}, Consents: []StudentCaseConsentDTO{}}
	for _, r := range x.Requests {
		out.Requests = append(out.Requests, requestDTO(&r, now))
	}
	for _, sub := range x.Submissions {
		out.Cases = append(out.Cases, caseDTO(&sub, names))
	}
	for _, c := range x.Consents {
		out.Consents = append(out.Consents, StudentCaseConsentDTO{CaseID: c.SubmissionID, CaseConsentDTO: consentDTO(c)})
	}
	return out, nil
}
