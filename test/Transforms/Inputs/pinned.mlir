// Pins written as `edge.pin` attributes (checked by ../edge-place.mlir).

// An op inside a fusion group pins the whole group: the matmul would go to
// the H100 otherwise.
// CHECK: edge.fusion_group "contraction" attributes {edge.device = "host", edge.estimated_seconds = {{.*}} : f64}
func.func @model(%x: tensor<512x512xf32>) -> tensor<512x512xf32> {
  %w = edge.constant dense<1.0> : tensor<512x512xf32>
  %g = edge.fusion_group "contraction" {
    %m = edge.matmul %x, %w : (tensor<512x512xf32>, tensor<512x512xf32>) -> tensor<512x512xf32>
    %r = edge.relu %m {edge.pin = "host"} : tensor<512x512xf32>
    edge.yield %r : tensor<512x512xf32>
  } : tensor<512x512xf32>
  return %g : tensor<512x512xf32>
}

// -----

func.func @model(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'edge.neg' op is pinned to 'tpu', which is not a described device}}
  %n = edge.neg %x {edge.pin = "tpu"} : tensor<4xf32>
  return %n : tensor<4xf32>
}

// -----

func.func @model(%x: tensor<4xf32>) -> tensor<4xf32> {
  %g = edge.fusion_group "elementwise" {
    %n = edge.neg %x {edge.pin = "host"} : tensor<4xf32>
    // expected-error @+1 {{'edge.exp' op is pinned to 'h100' but its fusion group to 'host'}}
    %e = edge.exp %n {edge.pin = "h100"} : tensor<4xf32>
    edge.yield %e : tensor<4xf32>
  } : tensor<4xf32>
  return %g : tensor<4xf32>
}
