package school

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// ExportEnrollmentDTO is an enrollment with its curator history.
type ExportEnrollmentDTO struct {
	EnrollmentDTO
	CuratorHistory []CuratorChangeDTO `json:"curator_history"`
}

// ExportOrderDTO is an order with its refunds.
type ExportOrderDTO struct {
	OrderDTO
	Refunds []RefundDTO `json:"refunds"`
}

// StudentExportDTO is everything the school holds about a student.
type StudentExportDTO struct {
	Student     StudentDTO            `json:"student"`
	Enrollments []ExportEnrollmentDTO `json:"enrollments"`
	Orders      []ExportOrderDTO      `json:"orders"`
	Modules     map[string]any        `json:"modules" doc:"The other modules' parts, by module: cases (requests without link tokens, cases with the student's own words, consents)."`
}

type exportOutput struct{ Body StudentExportDTO }

func exportDTO(x *StudentExport, student StudentDTO) StudentExportDTO {
	out := StudentExportDTO{Student: student, Enrollments: []ExportEnrollmentDTO{}, Orders: []ExportOrderDTO{}, Modules: x.Parts}
	if out.Modules == nil {
		out.Modules = map[string]any{}
	}
	for _, e := range x.Enrollments {
		item := ExportEnrollmentDTO{EnrollmentDTO: enrollmentDTO(e), CuratorHistory: []CuratorChangeDTO{}}
		for _, h := range x.CuratorHistory[e.ID] {
			item.CuratorHistory = append(item.CuratorHistory, curatorChangeDTO(h))
		}
		out.Enrollments = append(out.Enrollments, item)
	}
	for _, o := range x.Orders {
		item := ExportOrderDTO{OrderDTO: orderDTO(o), Refunds: []RefundDTO{}}
		for _, r := range x.Refunds[o.ID] {
			item.Refunds = append(item.Refunds, refundDTO(r, o.Currency))
		}
		out.Orders = append(out.Orders, item)
	}
	return out
}

func registerPrivacy(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("students", "export"), huma.Operation{
		OperationID: "export-student", Method: http.MethodPost, Path: "/v1/orgs/{org}/students/{id}/export", Tags: []string{"Students"},
		Summary: "Export everything held about a student",
		Description: "For a data-subject access request: the student with contacts, enrollments with curator history, orders with refunds, and " +
			"under modules what other modules hold (cases). The export is audited.",
	}, func(ctx context.Context, in *IDPath) (*exportOutput, error) {
		x, err := svc.Export(ctx, httpapi.OrgID(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return &exportOutput{Body: exportDTO(x, studentDTO(x.Student, true, svc.Now()))}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("students", "erase"), huma.Operation{
		OperationID: "erase-student", Method: http.MethodPost, Path: "/v1/orgs/{org}/students/{id}/erase", Tags: []string{"Students"},
		Summary:     "Erase a student's personal data everywhere",
		Description: "The name, contacts and birth date are removed from every table, the audit log and the integration inbox included; enrollments, orders and refunds stay, so counts and money totals do not change. Cannot be undone.",
		Errors:      []int{http.StatusConflict},
	}, func(ctx context.Context, in *IDPath) (*studentOutput, error) {
		st, err := svc.Erase(ctx, httpapi.OrgID(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return &studentOutput{ETag: httpapi.ETag(st.Version), Body: studentDTO(st, false, svc.Now())}, nil
	})
}
