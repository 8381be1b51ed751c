zeta theta
