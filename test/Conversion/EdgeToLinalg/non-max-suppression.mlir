// RUN: edge-opt %s --convert-edge-to-linalg | FileCheck %s

// Batch entries, then classes, then rounds that stop after the last
// selection: each round searches the best remaining score above the
// threshold, appends [batch, class, box] while capacity lasts, and removes
// the boxes that overlap the chosen one beyond the IoU threshold.

// CHECK-LABEL: func.func @nms
// CHECK-DAG: %[[NONE:.*]] = arith.constant dense<-1> : tensor<3x3xi64>
// CHECK-DAG: %[[MAX:.*]] = tensor.extract %{{.*}}[] : tensor<i64>
// CHECK: %[[BATCHES:.*]]:2 = scf.for %[[B:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%{{.*}} = %[[NONE]], %{{.*}} = %{{.*}}) -> (tensor<3x3xi64>, i64)
// CHECK: scf.for %[[C:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args
// CHECK: arith.constant dense<false> : tensor<6xi1>
// CHECK: scf.for {{.*}} -> (tensor<6xi1>, tensor<3x3xi64>, i64, i64, i1)
// CHECK: scf.if %{{.*}} -> (tensor<6xi1>, tensor<3x3xi64>, i64, i64, i1)
// The search: not removed, and a higher score than the best so far.
// CHECK: scf.for {{.*}} -> (i64, f32)
// CHECK: tensor.extract %{{.*}}[%[[B]], %[[C]], %{{.*}}] : tensor<1x2x6xf32>
// CHECK: arith.cmpf ogt
// A box was found, and the class has room under max_output_boxes_per_class.
// CHECK: arith.cmpi sge
// CHECK: arith.cmpi slt, %{{.*}}, %[[MAX]]
// CHECK: %[[TAKE:.*]] = arith.andi
// CHECK: scf.if %[[TAKE]]
// CHECK: tensor.insert %{{.*}} into %{{.*}}[%{{.*}}, %{{.*}}] : tensor<3x3xi64>
// The suppression: IoU against each box.
// CHECK: scf.for {{.*}} -> (tensor<6xi1>)
// CHECK: arith.divf
// CHECK: tensor.insert %{{.*}} into %{{.*}}[%{{.*}}] : tensor<6xi1>
// CHECK: %[[COUNT:.*]] = tensor.from_elements %[[BATCHES]]#1 : tensor<i64>
// CHECK: return %[[BATCHES]]#0, %[[COUNT]]
func.func @nms(%boxes: tensor<1x6x4xf32>, %scores: tensor<1x2x6xf32>, %max: tensor<i64>, %iou: tensor<f32>, %score: tensor<f32>) -> (tensor<3x3xi64>, tensor<i64>) {
  %selected, %count = edge.non_max_suppression %boxes, %scores, %max, %iou, %score : (tensor<1x6x4xf32>, tensor<1x2x6xf32>, tensor<i64>, tensor<f32>, tensor<f32>) -> (tensor<3x3xi64>, tensor<i64>)
  return %selected, %count : tensor<3x3xi64>, tensor<i64>
}
