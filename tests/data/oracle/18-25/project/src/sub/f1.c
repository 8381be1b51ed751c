kappa omega kappa zeta alpha zeta theta kappa
