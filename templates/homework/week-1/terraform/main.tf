# Week {{week}} homework: the GCP resources of the course, a data lake bucket and a BigQuery dataset.
#
# From this folder:
#   terraform init
#   terraform plan -var="project=<your-project-id>"
#   terraform apply -var="project=<your-project-id>"
#   terraform destroy   # when you no longer need them
# The -var is only needed if the default in variables.tf is not your project ID.
# Credentials: export GOOGLE_APPLICATION_CREDENTIALS=<path to your service-account key>.json

terraform {
  required_version = ">= 1.0"

  # State stays in this folder (terraform.tfstate); .gitignore keeps it out of git.
  backend "local" {}

  required_providers {
    google = {
      source = "hashicorp/google"
    }
  }
}

provider "google" {
  project = var.project
  region  = var.region
}

# The data lake. Bucket names are global across GCP, hence the project ID in the name.
resource "google_storage_bucket" "data_lake" {
  name          = "dtc_data_lake_${var.project}"
  location      = var.region
  storage_class = var.storage_class
  force_destroy = true # lets `terraform destroy` remove the bucket even when it holds files

  uniform_bucket_level_access = true

  versioning {
    enabled = true
  }

  # Objects are deleted 30 days after they were created.
  lifecycle_rule {
    action {
      type = "Delete"
    }
    condition {
      age = 30
    }
  }
}

# The warehouse dataset. Keep it in the bucket's location: BigQuery cannot read a bucket in another region.
resource "google_bigquery_dataset" "trips" {
  dataset_id = var.bq_dataset
  project    = var.project
  location   = var.region
}
