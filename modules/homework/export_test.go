package homework

// UseSampler gives a service the test server built the sampling rule f,
// as NewService(…, WithSampler(f)) would have.
func UseSampler(s *Service, f Sampler) { WithSampler(f)(s) }
