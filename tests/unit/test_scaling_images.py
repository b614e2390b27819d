"""Which images the scale-up check can look up in ECR, and whom to tell about the gone ones."""

from fargate_ops.domain.scaling_images import ecr_image, tell

ACCOUNT, REGION = "123456789012", "us-east-1"
REGISTRY = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"


def test_an_image_of_this_accounts_ecr_is_found_by_tag_or_by_digest_and_latest_by_default() -> None:
    tagged = ecr_image(f"{REGISTRY}/team/api:v1.2", ACCOUNT, REGION)
    assert tagged is not None and (tagged.repository, tagged.image_id()) == ("team/api", {"imageTag": "v1.2"})
    digest = "sha256:" + "a" * 64
    pinned = ecr_image(f"{REGISTRY}/api:v1@{digest}", ACCOUNT, REGION)
    assert pinned is not None and pinned.image_id() == {"imageDigest": digest}  # a pull uses the digest
    bare = ecr_image(f"{REGISTRY}/api", ACCOUNT, REGION)
    assert bare is not None and bare.image_id() == {"imageTag": "latest"}


def test_images_outside_this_accounts_and_regions_ecr_cannot_be_checked() -> None:
    assert ecr_image("nginx:1.27", ACCOUNT, REGION) is None
    assert ecr_image("public.ecr.aws/nginx/nginx:1", ACCOUNT, REGION) is None
    assert ecr_image(f"999999999999.dkr.ecr.{REGION}.amazonaws.com/api:v1", ACCOUNT, REGION) is None
    assert ecr_image(f"{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/api:v1", ACCOUNT, REGION) is None


def test_a_gone_image_is_told_once_and_forgotten_when_it_comes_back() -> None:
    first = tell((), ["a", "b"])
    assert first.new == ("a", "b") and first.keep == ("a", "b")
    again = tell(first.keep, ["b", "a"])
    assert again.new == () and again.keep == ("a", "b")
    back = tell(again.keep, ["b"])  # a came back
    assert back.new == () and back.keep == ("b",)
    assert tell(back.keep, ["a", "b"]).new == ("a",)  # gone again: told again
