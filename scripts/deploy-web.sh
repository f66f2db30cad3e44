#!/usr/bin/env bash
# Upload the built web apps (the terminal app and the console) to the stage's bucket and refresh CloudFront (after `osls deploy`).
# Usage: npm run deploy:web -- [stage]   (needs the AWS CLI and credentials; region from AWS_REGION or ap-east-1)
set -euo pipefail
cd "$(dirname "$0")/.."
stage="${1:-dev}"
stack="campus-ecard-${stage}"
output() { aws cloudformation describe-stacks --stack-name "$stack" --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text; }
bucket="$(output WebBucketName)"
url="$(output WebUrl)"
npm --prefix web run --silent build
for app in pos console; do
  # Hashed assets are immutable; index.html must be fetched fresh so a new build is picked up at once.
  aws s3 sync "web/dist/${app}" "s3://${bucket}/${app}/" --delete --exclude index.html --cache-control "public,max-age=31536000,immutable"
  aws s3 cp "web/dist/${app}/index.html" "s3://${bucket}/${app}/index.html" --cache-control "no-cache"
done
distribution="$(aws cloudfront list-distributions --query "DistributionList.Items[?DomainName=='${url#https://}'].Id" --output text)"
aws cloudfront create-invalidation --distribution-id "$distribution" --paths "/pos/index.html" "/console/index.html" >/dev/null
echo "terminal app: ${url}/pos/   card-centre console: ${url}/console/"
