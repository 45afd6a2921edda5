//! [`ImportJobsGrpc`]: the `mailkeep.metadata.v1.ImportJobs` service over an
//! [`ImportStore`]. It seals the source password under the service's
//! `secrets_key` on create (the job id is the associated data) and opens it
//! only for the worker that claims the job; without a key, creating and
//! claiming jobs is FAILED_PRECONDITION and the other calls work. A job whose
//! password no longer opens (the key changed) is failed at its claim rather
//! than handed out. Passwords are never logged.

use std::sync::Arc;

use mailkeep_proto::metadata::v1 as pb;
use mailkeep_proto::metadata::v1::import_jobs_server::ImportJobs;
use tonic::{Request, Response, Status};

use super::MetadataGrpc;
use super::convert::store_status;
use super::imports_convert::{job_to_wire, new_job, report_from_wire};
use crate::error::StoreError;
use crate::imports::{ImportJob, ImportReport, ImportStore, new_job_id};
use crate::sealed::SecretsKey;

type Answer<T> = Result<Response<T>, Status>;

const NO_KEY: StoreError = StoreError::Conflict(
    "import jobs need the metadata service's secrets_key (metadata.secrets_key or \
     metadata.secrets_key_file), and none is configured",
);

impl MetadataGrpc {
    /// Enables import jobs: their source passwords are sealed under `key`.
    pub fn with_secrets_key(mut self, key: Option<SecretsKey>) -> Self {
        self.secrets_key = key.map(Arc::new);
        self
    }
}

/// The import jobs gRPC service.
#[derive(Clone)]
pub struct ImportJobsGrpc {
    store: Arc<dyn ImportStore>,
    key: Option<Arc<SecretsKey>>,
}

impl ImportJobsGrpc {
    pub fn new(store: Arc<dyn ImportStore>, key: Option<Arc<SecretsKey>>) -> Self {
        Self { store, key }
    }

    fn key(&self) -> Result<&SecretsKey, Status> {
        self.key.as_deref().ok_or_else(|| store_status(NO_KEY))
    }

    /// The claimed job for the wire, with its opened password; `None` (after
    /// failing the job) when the password does not open.
    async fn hand_out(
        &self,
        key: &SecretsKey,
        job: ImportJob,
        worker_id: &str,
    ) -> Result<Option<pb::ImportJob>, Status> {
        let opened = job
            .password
            .as_ref()
            .and_then(|sealed| key.open(sealed, job.id.as_bytes()).ok())
            .and_then(|password| String::from_utf8(password).ok());
        let Some(password) = opened else {
            tracing::warn!(job = %job.id, "import job password does not open; failing the job");
            let report = ImportReport {
                job_id: job.id.clone(),
                worker_id: worker_id.to_owned(),
                counters: job.counters,
                ..ImportReport::default()
            };
            self.store
                .finish_import_job(
                    report,
                    "the stored source password cannot be decrypted (was secrets_key changed?); \
                     create the job again",
                )
                .await
                .map_err(store_status)?;
            return Ok(None);
        };
        let account_id = job.account_id.to_string();
        let mut wire = job_to_wire(job);
        wire.account_id = account_id;
        if let Some(source) = wire.source.as_mut() {
            source.password = password;
        }
        Ok(Some(wire))
    }
}

#[tonic::async_trait]
impl ImportJobs for ImportJobsGrpc {
    async fn create_import_job(
        &self,
        request: Request<pb::CreateImportJobRequest>,
    ) -> Answer<pb::ImportJob> {
        let key = self.key()?;
        let job = new_job(request.into_inner(), new_job_id(), key).map_err(store_status)?;
        let job = self
            .store
            .create_import_job(job)
            .await
            .map_err(store_status)?;
        Ok(Response::new(job_to_wire(job)))
    }

    async fn get_import_job(&self, request: Request<pb::ImportJobRef>) -> Answer<pb::ImportJob> {
        let request = request.into_inner();
        let job = self
            .store
            .get_import_job(&request.domain, &request.local_part, &request.job_id)
            .await
            .map_err(store_status)?;
        Ok(Response::new(job_to_wire(job)))
    }

    async fn list_import_jobs(
        &self,
        request: Request<pb::ListImportJobsRequest>,
    ) -> Answer<pb::ListImportJobsResponse> {
        let request = request.into_inner();
        let jobs = self
            .store
            .list_import_jobs(&request.domain, &request.local_part)
            .await
            .map_err(store_status)?;
        Ok(Response::new(pb::ListImportJobsResponse {
            jobs: jobs.into_iter().map(job_to_wire).collect(),
        }))
    }

    async fn cancel_import_job(&self, request: Request<pb::ImportJobRef>) -> Answer<pb::ImportJob> {
        let request = request.into_inner();
        let job = self
            .store
            .cancel_import_job(&request.domain, &request.local_part, &request.job_id)
            .await
            .map_err(store_status)?;
        Ok(Response::new(job_to_wire(job)))
    }

    async fn claim_import_job(
        &self,
        request: Request<pb::ClaimImportJobRequest>,
    ) -> Answer<pb::ClaimImportJobResponse> {
        let key = self.key()?;
        let request = request.into_inner();
        let claimed = self
            .store
            .claim_import_job(&request.worker_id, request.lease_seconds)
            .await
            .map_err(store_status)?;
        let job = match claimed {
            Some(job) => self.hand_out(key, job, &request.worker_id).await?,
            None => None,
        };
        Ok(Response::new(pb::ClaimImportJobResponse { job }))
    }

    async fn report_import_progress(
        &self,
        request: Request<pb::ReportImportProgressRequest>,
    ) -> Answer<pb::ImportJob> {
        let job = self
            .store
            .report_import_progress(report_from_wire(request.into_inner()))
            .await
            .map_err(store_status)?;
        Ok(Response::new(job_to_wire(job)))
    }

    async fn finish_import_job(
        &self,
        request: Request<pb::FinishImportJobRequest>,
    ) -> Answer<pb::ImportJob> {
        let request = request.into_inner();
        let report = report_from_wire(request.report.unwrap_or_default());
        let job = self
            .store
            .finish_import_job(report, &request.error)
            .await
            .map_err(store_status)?;
        Ok(Response::new(job_to_wire(job)))
    }
}
