theta
