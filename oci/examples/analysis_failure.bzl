"""A test that a target fails analysis with a given message (skylib's analysistest)."""

load("@bazel_skylib//lib:unittest.bzl", "analysistest", "asserts")

def _analysis_failure_test_impl(ctx):
    env = analysistest.begin(ctx)
    asserts.expect_failure(env, ctx.attr.message)
    return analysistest.end(env)

analysis_failure_test = analysistest.make(
    _analysis_failure_test_impl,
    expect_failure = True,
    attrs = {"message": attr.string(doc = "Text the failure must contain.")},
)
